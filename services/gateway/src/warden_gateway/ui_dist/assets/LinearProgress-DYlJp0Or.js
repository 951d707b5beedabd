import{j as n,r as R}from"./react-B8V05dMt.js";import{g as E,d as U,H as B,e as V,l as Y,ao as _,m as G,bn as J,n as H,aH as m,o as A,p as I,bo as Q,r as x,aO as g,R as W,U as Z,b1 as w,b0 as N,a$ as T,K as $}from"./index-Bc7FVU-S.js";import{S as rr}from"./FormControlLabel-CR-cs_Y7.js";function er(r){return E("MuiCheckbox",r)}const j=U("MuiCheckbox",["root","checked","disabled","indeterminate","colorPrimary","colorSecondary","sizeSmall","sizeMedium"]),tr=B(n.jsx("path",{d:"M19 5v14H5V5h14m0-2H5c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h14c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2z"})),ar=B(n.jsx("path",{d:"M19 3H5c-1.11 0-2 .9-2 2v14c0 1.1.89 2 2 2h14c1.11 0 2-.9 2-2V5c0-1.1-.89-2-2-2zm-9 14l-5-5 1.41-1.41L10 14.17l7.59-7.59L19 8l-9 9z"})),or=B(n.jsx("path",{d:"M19 3H5c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h14c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2zm-2 10H7v-2h10v2z"})),nr=r=>{const{classes:t,indeterminate:e,color:a,size:u}=r,C={root:["root",e&&"indeterminate",`color${m(a)}`,`size${m(u)}`]},k=A(C,er,t);return{...t,...k}},sr=I(rr,{shouldForwardProp:r=>Q(r)||r==="classes",name:"MuiCheckbox",slot:"Root",overridesResolver:(r,t)=>{const{ownerState:e}=r;return[t.root,e.indeterminate&&t.indeterminate,t[`size${m(e.size)}`],e.color!=="default"&&t[`color${m(e.color)}`]]}})(x(({theme:r})=>({color:(r.vars||r).palette.text.secondary,...r.focusVisible&&{[`&.${W.focusVisible} svg:first-of-type`]:{borderRadius:(r.vars||r).shape.borderRadius,...r.focusVisible}},variants:[{props:{color:"default",disableRipple:!1},style:{"&:hover":{backgroundColor:r.alpha((r.vars||r).palette.action.active,(r.vars||r).palette.action.hoverOpacity)}}},...Object.entries(r.palette).filter(g()).map(([t])=>({props:{color:t,disableRipple:!1},style:{"&:hover":{backgroundColor:r.alpha((r.vars||r).palette[t].main,(r.vars||r).palette.action.hoverOpacity)}}})),...Object.entries(r.palette).filter(g()).map(([t])=>({props:{color:t},style:{[`&.${j.checked}, &.${j.indeterminate}`]:{color:(r.vars||r).palette[t].main},[`&.${j.disabled}`]:{color:(r.vars||r).palette.action.disabled}}})),{props:{disableRipple:!1},style:{"&:hover":{"@media (hover: none)":{backgroundColor:"transparent"}}}}]}))),ir=n.jsx(ar,{}),lr=n.jsx(tr,{}),cr=n.jsx(or,{}),Pr=R.forwardRef(function(t,e){const a=V({props:t,name:"MuiCheckbox"}),{checkedIcon:u=ir,color:C="primary",icon:k=lr,indeterminate:i=!1,indeterminateIcon:v=cr,size:y="medium",disableRipple:l=!1,className:z,slots:c={},slotProps:s={},...h}=a,f=i?v:k,P=i?v:u,p={...a,disableRipple:l,color:C,indeterminate:i,size:y},b=nr(p),d=typeof s.input=="function"?s.input(p):s.input,o=R.useRef(null),F=Y(o,d?.ref);_(()=>{o.current&&(o.current.indeterminate=i)});const[D,K]=G("root",{ref:e,elementType:sr,className:H(b.root,z),shouldForwardComponentProp:!0,externalForwardedProps:{slots:c,slotProps:s,...h},ownerState:p,additionalProps:{type:"checkbox",icon:R.cloneElement(f,{fontSize:f.props.fontSize??y}),checkedIcon:R.cloneElement(P,{fontSize:P.props.fontSize??y}),disableRipple:a.disableRipple,slots:c,slotProps:{input:{...J(d,{"data-indeterminate":i,onChange:X=>{X.target.indeterminate=i}}),ref:F}}}});return n.jsx(D,{...K,classes:b})});function pr(r){return E("MuiLinearProgress",r)}U("MuiLinearProgress",["root","colorPrimary","colorSecondary","determinate","indeterminate","buffer","query","dashed","bar","bar1","bar2"]);const L=4,dr={},S=w`
  0% {
    left: -35%;
    right: 100%;
  }

  60% {
    left: 100%;
    right: -90%;
  }

  100% {
    left: 100%;
    right: -90%;
  }
`,ur=typeof S!="string"?N`
        animation: ${S} 2.1s cubic-bezier(0.65, 0.815, 0.735, 0.395) infinite;
      `:null,M=w`
  0% {
    left: -200%;
    right: 100%;
  }

  60% {
    left: 107%;
    right: -8%;
  }

  100% {
    left: 107%;
    right: -8%;
  }
`,fr=typeof M!="string"?N`
        animation: ${M} 2.1s cubic-bezier(0.165, 0.84, 0.44, 1) 1.15s infinite;
      `:null,O=w`
  0% {
    opacity: 1;
    background-position: 0 -23px;
  }

  60% {
    opacity: 0;
    background-position: 0 -23px;
  }

  100% {
    opacity: 1;
    background-position: -200px -23px;
  }
`,br=typeof O!="string"?N`
        animation: ${O} 3s infinite linear;
      `:null,mr=r=>{const{classes:t,variant:e,color:a}=r,u={root:["root",`color${m(a)}`,e],dashed:["dashed"],bar1:["bar","bar1"],bar2:["bar","bar2",e==="buffer"&&`color${m(a)}`]};return A(u,pr,t)},q=(r,t)=>r.vars?r.vars.palette.LinearProgress[`${t}Bg`]:r.palette.mode==="light"?r.lighten(r.palette[t].main,.62):r.darken(r.palette[t].main,.5),gr=I("span",{name:"MuiLinearProgress",slot:"Root",overridesResolver:(r,t)=>{const{ownerState:e}=r;return[t.root,t[`color${m(e.color)}`],t[e.variant]]}})(x(({theme:r})=>({position:"relative",overflow:"hidden",display:"block",height:4,zIndex:0,"@media print":{colorAdjust:"exact"},variants:[...Object.entries(r.palette).filter(g()).map(([t])=>({props:{color:t},style:{backgroundColor:q(r,t)}})),{props:({ownerState:t})=>t.color==="inherit"&&t.variant!=="buffer",style:{"&::before":{content:'""',position:"absolute",left:0,top:0,right:0,bottom:0,backgroundColor:"currentColor",opacity:.3}}},{props:{variant:"buffer"},style:{backgroundColor:"transparent"}},{props:{variant:"query"},style:{transform:"rotate(180deg)"}}]}))),vr=I("span",{name:"MuiLinearProgress",slot:"Dashed"})(x(({theme:r})=>({position:"absolute",marginTop:0,height:"100%",width:"100%",backgroundSize:"10px 10px",backgroundPosition:"0 -23px",variants:[{props:{color:"inherit"},style:{opacity:.3,backgroundImage:"radial-gradient(currentColor 0%, currentColor 16%, transparent 42%)"}},...Object.entries(r.palette).filter(g()).map(([t])=>{const e=q(r,t);return{props:{color:t},style:{backgroundImage:`radial-gradient(${e} 0%, ${e} 16%, transparent 42%)`}}})]})),br||{animation:`${O} 3s infinite linear`},x(({theme:r})=>T(r,{animation:"none"})||dr)),yr=I("span",{name:"MuiLinearProgress",slot:"Bar1",overridesResolver:(r,t)=>[t.bar,t.bar1]})(x(({theme:r})=>{const t=T(r,{animation:"none",left:"30%",right:"auto",width:"40%"});return{width:"100%",position:"absolute",left:0,bottom:0,top:0,...$(r,"transform",{duration:"0.2s",easing:"linear"}),transformOrigin:"left",variants:[{props:{color:"inherit"},style:{backgroundColor:"currentColor"}},...Object.entries(r.palette).filter(g()).map(([e])=>({props:{color:e},style:{backgroundColor:(r.vars||r).palette[e].main}})),{props:{variant:"determinate"},style:{...$(r,"transform",{duration:`.${L}s`,easing:"linear"})}},{props:{variant:"buffer"},style:{zIndex:1,...$(r,"transform",{duration:`.${L}s`,easing:"linear"})}},{props:({ownerState:e})=>e.variant==="indeterminate"||e.variant==="query",style:{width:"auto"}},{props:({ownerState:e})=>e.variant==="indeterminate"||e.variant==="query",style:ur||{animation:`${S} 2.1s cubic-bezier(0.65, 0.815, 0.735, 0.395) infinite`}},...t?[{props:({ownerState:e})=>e.variant==="indeterminate"||e.variant==="query",style:t}]:[]]}})),xr=I("span",{name:"MuiLinearProgress",slot:"Bar2",overridesResolver:(r,t)=>[t.bar,t.bar2]})(x(({theme:r})=>{const t=T(r,{animation:"none",display:"none"});return{width:"100%",position:"absolute",left:0,bottom:0,top:0,...$(r,"transform",{duration:"0.2s",easing:"linear"}),transformOrigin:"left",variants:[...Object.entries(r.palette).filter(g()).map(([e])=>({props:{color:e},style:{"--LinearProgressBar2-barColor":(r.vars||r).palette[e].main}})),{props:({ownerState:e})=>e.variant!=="buffer"&&e.color!=="inherit",style:{backgroundColor:"var(--LinearProgressBar2-barColor, currentColor)"}},{props:({ownerState:e})=>e.variant!=="buffer"&&e.color==="inherit",style:{backgroundColor:"currentColor"}},{props:{color:"inherit"},style:{opacity:.3}},...Object.entries(r.palette).filter(g()).map(([e])=>({props:{color:e,variant:"buffer"},style:{backgroundColor:q(r,e),...$(r,"transform",{duration:`.${L}s`,easing:"linear"})}})),{props:({ownerState:e})=>e.variant==="indeterminate"||e.variant==="query",style:{width:"auto"}},{props:({ownerState:e})=>e.variant==="indeterminate"||e.variant==="query",style:fr||{animation:`${M} 2.1s cubic-bezier(0.165, 0.84, 0.44, 1) 1.15s infinite`}},...t?[{props:({ownerState:e})=>e.variant==="indeterminate"||e.variant==="query",style:t}]:[]]}})),Rr=R.forwardRef(function(t,e){const a=V({props:t,name:"MuiLinearProgress"}),{className:u,color:C="primary",max:k,min:i,value:v,valueBuffer:y,variant:l="indeterminate",...z}=a,c={...a,color:C,variant:l},s=i??0,h=k??100,f=mr(c),P=Z(),p={},b={bar1:{},bar2:{}};if((l==="determinate"||l==="buffer")&&v!==void 0){const d=h-s;let o=(v-s)/d*100-100;P&&(o=-o),b.bar1.transform=d>0?`translateX(${o}%)`:"translateX(-100%)",p["aria-valuenow"]=v,p["aria-valuemin"]=s,p["aria-valuemax"]=h}if(l==="buffer"&&y!==void 0){const d=h-s;let o=(y-s)/d*100-100;P&&(o=-o),b.bar2.transform=d>0?`translateX(${o}%)`:"translateX(-100%)"}return n.jsxs(gr,{className:H(f.root,u),ownerState:c,role:"progressbar",...p,ref:e,...z,children:[l==="buffer"?n.jsx(vr,{className:f.dashed,ownerState:c}):null,n.jsx(yr,{className:f.bar1,ownerState:c,style:b.bar1}),l==="determinate"?null:n.jsx(xr,{className:f.bar2,ownerState:c,style:b.bar2})]})});export{Pr as C,Rr as L};
